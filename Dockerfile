# Lyssna – self-hosted "Lyssna på sidan". Everything comes from PyPI: espeak-ng ships inside the
# espeakng-loader wheel and MP3 encoding inside lameenc, so no system packages are needed.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LYSSNA_HOST=0.0.0.0 \
    LYSSNA_PORT=8000 \
    LYSSNA_CACHE_DIR=/var/lib/lyssna/audio_cache

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install --no-cache-dir . \
    && useradd --system --home-dir /var/lib/lyssna --create-home lyssna \
    && mkdir -p /var/lib/lyssna/audio_cache \
    && chown -R lyssna /var/lib/lyssna

USER lyssna
VOLUME ["/var/lib/lyssna/audio_cache"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Set LYSSNA_SITES to the origins whose pages may be read, e.g. https://www.kommun.se
CMD ["lyssna", "serve"]
