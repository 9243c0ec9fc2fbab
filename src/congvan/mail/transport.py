"""How a message leaves: through the configured SMTP relay (CONGVAN_MAIL_RELAY_*), or — with no relay,
as in the embedded demo — straight into this installation's own intake when the address is one of its
agencies' (or a bounce address); anything else waits in the outbox until a relay is configured."""

import smtplib
import ssl

from django.conf import settings


class SendError(Exception):
    """A failed attempt: ``permanent`` (5xx: the address or the message is refused) or temporary."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message, self.permanent = message, permanent


class NoRoute(Exception):
    """No relay is configured and the address is not handled by this installation."""


def _reply(code: int, text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}"


class RelayTransport:
    """smtplib to the relay: STARTTLS or implicit TLS, AUTH when a user is set; the reply of each step kept."""

    def __init__(self, host: str, port: int, security: str = "starttls", user: str = "", password: str = "",
                 timeout: float = 30.0):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout = user, password, timeout

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context,
                                      local_hostname=settings.MAIL_HOSTNAME)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname=settings.MAIL_HOSTNAME)
            client.ehlo()
            if self.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
        if self.user:
            client.login(self.user, self.password)
        return client

    def send(self, envelope_from: str, recipient: str, raw: bytes) -> str:
        try:
            client = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"Máy chủ gửi thư từ chối đăng nhập: {_reply(exc.smtp_code, exc.smtp_error)}")
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"Không kết nối được máy chủ gửi thư {self.label}: {exc}")
        try:
            code, text = client.mail(envelope_from, ["SMTPUTF8"] if "SMTPUTF8" in client.esmtp_features else [])
            if code != 250:
                raise SendError(f"Địa chỉ gửi bị từ chối: {_reply(code, text)}", permanent=code >= 500)
            code, text = client.rcpt(recipient)
            if code not in (250, 251):
                raise SendError(f"Địa chỉ nhận {recipient} bị từ chối: {_reply(code, text)}", permanent=code >= 500)
            code, text = client.data(raw)
            if code != 250:
                raise SendError(f"Thư bị từ chối: {_reply(code, text)}", permanent=code >= 500)
            return _reply(code, text)
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"Máy chủ gửi thư trả lời: {_reply(exc.smtp_code, exc.smtp_error)}",
                            permanent=exc.smtp_code >= 500)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"Mất kết nối với máy chủ gửi thư {self.label}: {exc}")
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


class LocalTransport:
    """No relay: deliver to this installation's intake when the address is its own, else NoRoute."""

    label = "máy chủ nhận thư của hệ thống"

    def send(self, envelope_from: str, recipient: str, raw: bytes) -> str:
        from congvan.mail import intake

        if not intake.accepts(recipient):
            raise NoRoute(recipient)
        intake.deliver(raw, source="smtp", envelope_from=envelope_from, recipients=[recipient])
        return "250 đã nhận vào hộp thư đến của hệ thống"


def transport():
    if settings.MAIL_RELAY_HOST:
        return RelayTransport(settings.MAIL_RELAY_HOST, settings.MAIL_RELAY_PORT, settings.MAIL_RELAY_SECURITY,
                              settings.MAIL_RELAY_USER, settings.MAIL_RELAY_PASSWORD, settings.MAIL_TIMEOUT)
    return LocalTransport()
