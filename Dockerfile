# casualty-bot: build the package into a virtualenv, then ship only that venv and the seed data.

# --- builder: everything needed to build and install the package --------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A venv at a fixed path can be copied whole into the final stage: its scripts' shebangs point
# at /opt/venv/bin/python, and both stages share the same base interpreter.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only what the build reads: metadata (README.md is the package's readme) and the two packages.
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY store/ store/
# All dependencies, psycopg[binary] included, ship manylinux wheels: no compiler or apt needed.
RUN pip install --no-cache-dir .

# --- final: the venv, the seed claims and nothing else ------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="casualty-bot" \
      org.opencontainers.image.description="A Telegram bot that answers casualty-figure questions with the claimant, date and caveats of every figure." \
      org.opencontainers.image.licenses="MIT"

# A fixed uid/gid so volume ownership stays the same across rebuilds and hosts.
RUN groupadd --system --gid 10001 casualty \
    && useradd --system --no-log-init --uid 10001 --gid casualty \
       --home-dir /data --no-create-home --shell /usr/sbin/nologin casualty \
    && mkdir /data \
    && chown 10001:10001 /data

COPY --from=builder /opt/venv /opt/venv
COPY seed_claims.json /app/seed_claims.json

# The installed package cannot find seed_claims.json next to its source, so say where it is.
# The SQLite database lives on the volume; PostgreSQL deployments override DATABASE_URL.
ENV DATABASE_URL=sqlite:////data/casualties.db \
    SEED_FILE=/app/seed_claims.json \
    XDG_CACHE_HOME=/opt/cache \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

# The common-word hashes (bot/common_words.py), made once here: no container needs the child
# process that reads wordfreq's lists, and none holds the lists. One offline answer over the
# seed keeps start-up's Ukrainian lemmas (bot/lemmas.py); the bot's user may rewrite them.
RUN python -m bot.common_words \
    && DATABASE_URL=sqlite:////tmp/build.db casualty-bot ask "How many soldiers died?" >/dev/null \
    && rm /tmp/build.db \
    && chown -R 10001:10001 /opt/cache

# Declared after the chown so a fresh named volume starts out owned by the bot's user.
VOLUME /data
WORKDIR /data
USER 10001:10001

# Webhook mode only (WEBHOOK_URL set); long polling needs no port.
EXPOSE 8080

# Webhook mode: GET /healthz on $PORT; polling mode: the database answers.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["casualty-bot", "health"]

CMD ["casualty-bot", "run"]
