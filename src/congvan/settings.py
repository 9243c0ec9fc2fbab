"""One settings module; every knob comes from a ``CONGVAN_*`` environment variable with a safe default.

The defaults are the embedded mode (SQLite in WAL mode, files on the local disk, the database task
queue). ``CONGVAN_DATABASE_URL=postgres://user:pass@host:port/name`` switches to PostgreSQL.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"CONGVAN_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or "insecure-dev-key-set-CONGVAN_SECRET_KEY-in-production"
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "bootstrap",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "congvan.audit",
    "congvan.directory",
    "congvan.documents",
    "congvan.workflow",
    "congvan.signing",
    "congvan.exchange",
    "congvan.mail",
    "congvan.archive",
    "congvan.search",
    "congvan.reports",
    "congvan.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "congvan.web.middleware.NfcMiddleware",  # text enters as NFC (issue 6)
]

ROOT_URLCONF = "congvan.urls"
WSGI_APPLICATION = "congvan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "congvan.web.context.navigation",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    """Turn ``CONGVAN_DATABASE_URL`` into a Django DATABASES entry (postgres:// or sqlite:///path)."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": "test_" + unquote(parsed.path.lstrip("/"))},
        }
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)))
    raise ValueError(f"CONGVAN_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgres:// or sqlite:///)")


def sqlite_database(path: Path) -> dict:
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent issuers queue instead of
    # failing with "database is locked" when they upgrade a read lock (numbering relies on this).
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASE_URL = env("DATABASE_URL")
DATABASES = {"default": database_from_url(DATABASE_URL) if DATABASE_URL else sqlite_database(DATA_DIR / "congvan.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env("FILE_STORE", str(DATA_DIR / "files")))

# Largest upload accepted (bytes); larger files get a clear error, not a half-stored blob.
MAX_UPLOAD_SIZE = int(env("MAX_UPLOAD_SIZE", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Which place name (địa danh) heads documents issued here, and the demo switch.
PROVINCE_NAME = env("PROVINCE_NAME", "Gia Lai")
DEMO = env_bool("DEMO", False)
API_TOKEN_HOURS = int(env("API_TOKEN_HOURS", "12"))
SOFFICE = env("SOFFICE", "soffice")

# Digital signatures (congvan.signing). SIGNING_REQUIRED: "1" electronic/hybrid documents must be signed
# at approval and sealed at issuance; "0" signing is optional (only when a passphrase/PIN is typed);
# unset ("auto"): required as soon as the operator has loaded a trust store (`congvan pki demo` does).
SIGNING_REQUIRED = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                    "off": False}.get(env("SIGNING_REQUIRED", "auto").strip().lower())
TSA_URL = env("TSA_URL")  # RFC 3161 timestamp service: signatures become PAdES B-T when set
OCSP_FETCH = env_bool("OCSP_FETCH", False)  # validation may fetch OCSP/CRL over the network
PDFTOPPM = env("PDFTOPPM", "pdftoppm")

# Exchange between installations (issue 4, docs/exchange.md)
EXCHANGE_POLL = float(env("EXCHANGE_POLL", "0.2"))  # seconds between two looks at the outbox and the hub when idle
EXCHANGE_MAX_PACKAGE = int(env("EXCHANGE_MAX_PACKAGE", str(512 * 1024 * 1024)))
EXCHANGE_MAX_ATTEMPTS = int(env("EXCHANGE_MAX_ATTEMPTS", "30"))  # 30 s, 2 min, 20 min, then hourly: about a day
# Delays (seconds) between attempts to send a message, like Estonia's DHX; the last one repeats.
EXCHANGE_BACKOFF = [float(x) for x in env("EXCHANGE_BACKOFF", "30,120,1200,3600").split(",") if x.strip()]
EXCHANGE_SYNC = float(env("EXCHANGE_SYNC", "60"))  # seconds between two directory exchanges with the hub
EXCHANGE_ZIP_ATTACHMENTS = env_bool("EXCHANGE_ZIP_ATTACHMENTS", True)  # like the VNPT SDK: each file zipped  # Debian poppler-utils: page preview to place a signature by hand

# Official e-mail (issue 5, docs/mail.md). The first domain is the default of new addresses.
MAIL_DOMAINS = [d.strip().lower() for d in env("MAIL_DOMAINS", "gialai.example").split(",") if d.strip()]
MAIL_SMTP_LISTEN = env("MAIL_SMTP_LISTEN", "127.0.0.1:2525")  # `congvan smtpd`: SMTP ("" = off)
MAIL_LMTP_LISTEN = env("MAIL_LMTP_LISTEN", "127.0.0.1:2424")  # `congvan smtpd`: LMTP for Postfix ("" = off)
MAIL_HOSTNAME = env("MAIL_HOSTNAME", "") or f"mail.{MAIL_DOMAINS[0] if MAIL_DOMAINS else 'localhost'}"
MAIL_MAX_MESSAGE = int(env("MAIL_MAX_MESSAGE", str(30 * 1024 * 1024)))  # larger mail is refused (SMTP 552)
MAIL_MAX_ATTACHMENT = int(env("MAIL_MAX_ATTACHMENT", str(20 * 1024 * 1024)))  # larger attachments refused
MAIL_RELAY_HOST = env("MAIL_RELAY_HOST")  # the SMTP relay mail leaves through; empty: none (mail waits)
MAIL_RELAY_PORT = int(env("MAIL_RELAY_PORT", "25"))
MAIL_RELAY_SECURITY = env("MAIL_RELAY_SECURITY", "starttls").strip().lower()  # none | starttls | ssl
MAIL_RELAY_USER = env("MAIL_RELAY_USER")
MAIL_RELAY_PASSWORD = env("MAIL_RELAY_PASSWORD")
MAIL_TIMEOUT = float(env("MAIL_TIMEOUT", "30"))  # seconds for one SMTP or IMAP conversation step
MAIL_BACKOFF = [float(x) for x in env("MAIL_BACKOFF", "60,300,1800,3600").split(",") if x.strip()]
MAIL_MAX_ATTEMPTS = int(env("MAIL_MAX_ATTEMPTS", "30"))  # then the message is a dead letter
MAIL_POLL = float(env("MAIL_POLL", "1.0"))  # seconds the worker's mail loop waits when idle
MAIL_IMAP_INTERVAL = float(env("MAIL_IMAP_INTERVAL", "60"))  # seconds between two looks at an IMAP mailbox
MAIL_BOUNCE_LOCALPART = env("MAIL_BOUNCE_LOCALPART", "bounces")  # envelope sender bounces+<id>@domain
MAIL_PROVISION_DIR = Path(env("MAIL_PROVISION_DIR", str(DATA_DIR / "mail" / "provision")))
MAIL_PROVISION_GROUP = env("MAIL_PROVISION_GROUP")  # group that may read the files (dovecot, postfix)
MAIL_PROVISION_HOOK = env("MAIL_PROVISION_HOOK")  # command run after the files changed (postmap, reload)
MAIL_QUOTA_MB = int(env("MAIL_QUOTA_MB", "2048"))  # quota of a new mailbox (Dovecot quota_rule)
MAIL_BCRYPT_ROUNDS = int(env("MAIL_BCRYPT_ROUNDS", "10"))  # cost of BLF-CRYPT mail passwords
# The province's rule for checking the agency mailbox (docs/mail.md): gialai, thainguyen, count:N or
# windows:HH:MM-HH:MM,… ; two checks closer than MAIL_CHECK_GAP minutes count once.
MAIL_CHECK_RULE = env("MAIL_CHECK_RULE", "gialai")
MAIL_CHECK_GAP = int(env("MAIL_CHECK_GAP", "10"))
NOTIFY_POLL = int(env("NOTIFY_POLL", "15"))  # seconds between two looks at the notification bell

# Digitisation and search (issue 6, docs/search.md)
OCR_ENABLED = env_bool("OCR", True)  # scans of images are queued for OCR (ocrmypdf + tesseract)
OCR_LANGUAGES = env("OCR_LANGUAGES", "vie")  # tesseract models, e.g. "vie+eng"
OCR_TIMEOUT = float(env("OCR_TIMEOUT", "1800"))  # seconds one file may take
OCR_JOBS = int(env("OCR_JOBS", "1"))  # pages OCR'd in parallel for one file
SEARCH_CANDIDATES = int(env("SEARCH_CANDIDATES", "300"))  # most recent matches ranked by relevance
SEARCH_COUNT_LIMIT = int(env("SEARCH_COUNT_LIMIT", "1000"))  # matches counted exactly; beyond: "more than"
SEARCH_MAX_TEXT = int(env("SEARCH_MAX_TEXT", "200000"))  # characters of a document's text kept in the index

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                # WeasyPrint and fontTools log every layout step at INFO (reports)
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
