"""Background OCR (the worker runs the django-tasks queue). Below the default priority: a batch of
thousands of scans must not hold up Word conversions and reminders."""

from django_tasks import task


@task(priority=-10)
def run_ocr(job_id: int) -> str:
    from congvan.archive.services import run_ocr_job

    return run_ocr_job(job_id).state
