# The portal image: web (gunicorn), Celery worker and beat, and the sandbox all run from it.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv && useradd --create-home --uid 1000 portal
WORKDIR /app

COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Static files are collected at build time; the throwaway values only let settings load.
RUN DEBUG=false SECRET_KEY=collectstatic FIELD_ENCRYPTION_KEYS=collectstatic EMAIL_URL=dummymail:// \
    STATIC_MANIFEST=true \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R portal /app/var

USER portal
EXPOSE 8000
# The access log format (no query strings: inbound texts and their auth arrive in them) is in the config.
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py", "--bind", "0.0.0.0:8000", "--workers", "3"]
