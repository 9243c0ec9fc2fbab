"""OCR of scans with ocrmypdf and Debian's tesseract (model ``vie``), in a child process.

The output is a PDF/A-2b: the scan's images with an invisible text layer, deskewed; pages that already
carry text are left alone (``--skip-text``). A signed input keeps its bytes elsewhere: the OCR copy drops
the signature (``--invalidate-digital-signatures``) because it is only a reading and search copy.
Running ocrmypdf as its own process keeps its memory, threads and crashes out of the worker. No Django.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

# ocrmypdf's exit codes (ocrmypdf.ExitCode) and what a clerk is told.
EXIT_REASONS = {
    1: "Tham số nhận dạng chữ không hợp lệ.",
    2: "Tệp đầu vào không đọc được (không phải PDF hoặc ảnh hợp lệ).",
    3: "Thiếu chương trình cần cho nhận dạng chữ (tesseract, ghostscript).",
    4: "Không tạo được tệp kết quả hợp lệ.",
    5: "Không ghi được tệp tạm.",
    6: "Tệp đã có lớp chữ.",
    7: "Lỗi trong chương trình nhận dạng chữ.",
    8: "Tệp PDF được mã hóa (có mật khẩu), không nhận dạng được.",
    9: "Cấu hình tesseract không hợp lệ.",
    10: "Không chuyển được sang PDF/A.",
    15: "Lỗi không xác định khi nhận dạng chữ.",
    130: "Tiến trình nhận dạng chữ bị dừng.",
}


class OcrFailed(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass
class OcrOptions:
    languages: str = "vie"
    timeout: float = 1800.0
    jobs: int = 1
    image_dpi: int = 300
    command: tuple[str, ...] = (sys.executable, "-m", "ocrmypdf")


def ocr(data: bytes, *, is_image: bool = False, signed: bool = False, options: OcrOptions | None = None) -> bytes:
    """OCR a scanned PDF (or an image: PNG, JPEG, TIFF) into a searchable PDF/A; raises OcrFailed."""
    options = options or OcrOptions()
    with tempfile.TemporaryDirectory(prefix="congvan-ocr-") as tmp:
        source = os.path.join(tmp, "input.img" if is_image else "input.pdf")
        target = os.path.join(tmp, "output.pdf")
        with open(source, "wb") as handle:
            handle.write(data)
        args = [*options.command, "-l", options.languages, "--deskew", "--skip-text", "--output-type", "pdfa",
                "--pdfa-backend", "internal",  # Debian 12's Ghostscript 10.0 is refused with --skip-text
                "--jobs", str(max(options.jobs, 1)), "--optimize", "1", "--quiet"]
        if is_image:
            args += ["--image-dpi", str(options.image_dpi)]
        if signed:
            args += ["--invalidate-digital-signatures"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # tesseract's own threads fight ocrmypdf's jobs
        try:
            done = subprocess.run([*args, source, target], capture_output=True, timeout=options.timeout, env=env)
        except subprocess.TimeoutExpired:
            raise OcrFailed(f"Nhận dạng chữ quá thời gian cho phép ({int(options.timeout)} giây).")
        except OSError as exc:
            raise OcrFailed("Không chạy được chương trình nhận dạng chữ (ocrmypdf).", str(exc))
        log = done.stderr.decode("utf-8", errors="replace")[-2000:]
        if done.returncode != 0 or not os.path.exists(target):
            reason = EXIT_REASONS.get(done.returncode, f"Nhận dạng chữ thất bại (mã {done.returncode}).")
            raise OcrFailed(reason, log)
        with open(target, "rb") as handle:
            return handle.read()
