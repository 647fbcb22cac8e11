# clinkg: one image for the Neo4j loader (`clinkg load neo4j ...`) and the HTTP API (`clinkg serve`).
# Content, ontology and queries are package data, so the installed package is all the image needs.
# Used by docker-compose.yml (docs/neo4j.md); on its own: docker build -t clinkg . && docker run -p 8000:8000 clinkg

# ---- stage 1: clinkg and every dependency as wheels (the sources stay in this stage)
FROM python:3.11-slim AS wheels

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY . .
RUN pip wheel --wheel-dir /wheels .

# ---- stage 2: the runtime, as an unprivileged user
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    CLINKG_BUILD_DIR=/var/lib/clinkg/build

RUN groupadd --system --gid 10001 clinkg \
 && useradd --system --uid 10001 --gid clinkg --home-dir /home/clinkg --create-home \
        --shell /usr/sbin/nologin clinkg \
 && install -d -o clinkg -g clinkg /var/lib/clinkg

# Offline install of the wheels built above (the bind mount keeps them out of the image's layers).
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels /wheels/clinkg-*.whl

USER 10001:10001
WORKDIR /home/clinkg

# Fail the image build, not a container later, when the package is incomplete or the content invalid;
# the embedded graph built here also lets the image serve on its own (default CLINKG_BACKEND=oxigraph).
RUN python -c "import clinkg.service.api.app, clinkg.loaders.neo4j" \
 && clinkg build

EXPOSE 8000
CMD ["clinkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
