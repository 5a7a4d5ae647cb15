# catsite in a container, served by gunicorn, as the tutorial's Dockerfile did with Flask.
#   docker build -t catsite .
#   docker run -p 5000:5000 -e CATSITE_BUCKET=... -e AWS_ACCESS_KEY_ID=... catsite
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOCKER_EXE=1 CATSITE_ROOT=/app
WORKDIR /app

COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock gunicorn==27.0.1

COPY pyproject.toml README.md ./
COPY site ./site
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir --no-deps . && useradd --create-home cat
USER cat

EXPOSE 5000
CMD ["gunicorn", "--bind", "0.0.0.0:5000", "--workers", "2", "--threads", "4", "--timeout", "60", "catsite.wsgi:app"]
