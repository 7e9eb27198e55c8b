# syntax=docker/dockerfile:1
# casework's container image (docs/production.md, "Containers").
#   docker build -t casework:0.2.0.dev0 .
# Three stages: GOV.UK Frontend from npm, Python wheels and the virtualenv, then a slim runtime
# with neither compilers nor node, running as an unprivileged user. Keys are never in the
# image: they come from a mounted folder (compose.yaml) at run time.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
ARG NODE_IMAGE=node:22.17.1-bookworm-slim

# --- GOV.UK Frontend, from the versions pinned in package-lock.json -------------------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- wheels and the virtualenv ----------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/casework
COPY pyproject.toml alembic.ini wsgi.py ./
COPY casework ./casework
COPY config ./config
COPY migrations ./migrations
# The same files casework/assets.py copies in development.
COPY --from=assets /src/node_modules/govuk-frontend/dist/govuk /tmp/govuk
RUN mkdir -p casework/static/govuk \
    && cp /tmp/govuk/govuk-frontend.min.css /tmp/govuk/govuk-frontend.min.js casework/static/govuk/ \
    && cp -r /tmp/govuk/assets/fonts /tmp/govuk/assets/images casework/static/ \
    && cp /tmp/govuk/assets/manifest.json casework/static/ \
    && rm -rf /tmp/govuk
# Every dependency built as a wheel here (compilers stay in this stage), installed from those
# wheels alone; casework itself is installed in place, since it runs from /opt/casework (its
# config/, migrations/ and alembic.ini live beside the package).
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --upgrade pip setuptools wheel \
    && /opt/venv/bin/pip wheel --no-cache-dir --wheel-dir /wheels . \
    && rm /wheels/casework-*.whl \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && find /opt/venv /opt/casework -name '__pycache__' -prune -exec rm -rf {} +

# --- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# WeasyPrint (PDF agendas and minutes) needs Pango and fonts; nothing else is added.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 casework \
    && useradd --system --uid 10001 --gid casework --home-dir /var/lib/casework \
        --shell /usr/sbin/nologin casework \
    && install -d -o casework -g casework -m 0700 /var/lib/casework
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/casework /opt/casework
WORKDIR /opt/casework
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CASEWORK_ENV=production \
    CASEWORK_INSTANCE_PATH=/var/lib/casework \
    CASEWORK_WEB_BIND=0.0.0.0:8000
USER 10001:10001
VOLUME ["/var/lib/casework"]
EXPOSE 8000
# Liveness only: readiness (/readyz) is for the load balancer, which can hold back traffic
# without restarting the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["casework", "run"]
