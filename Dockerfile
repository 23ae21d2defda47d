# Lyssna – self-hosted "Lyssna på sidan". Everything comes from PyPI: espeak-ng ships inside the
# espeakng-loader wheel and MP3 encoding inside lameenc, so no system packages are needed.
FROM python:3.12-slim

# Piper voices baked into the image, e.g. --build-arg LYSSNA_PIPER_VOICES=sv_SE-nst-medium (several:
# comma or space separated). Non-empty also installs Piper itself (the `piper` extra); then run with
# LYSSNA_ENGINE=piper. LYSSNA_VOICES_URL: another copy of the voice repository (default Hugging Face).
ARG LYSSNA_PIPER_VOICES=""
ARG LYSSNA_VOICES_URL=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LYSSNA_HOST=0.0.0.0 \
    LYSSNA_PORT=8000 \
    LYSSNA_CACHE_DIR=/var/lib/lyssna/audio_cache \
    LYSSNA_VOICES_DIR=/var/lib/lyssna/voices

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install --no-cache-dir ".${LYSSNA_PIPER_VOICES:+[piper]}" \
    && useradd --system --home-dir /var/lib/lyssna --create-home lyssna \
    && mkdir -p /var/lib/lyssna/audio_cache /var/lib/lyssna/voices \
    && chown -R lyssna /var/lib/lyssna

USER lyssna
# The voices live outside the cache volume (LYSSNA_VOICES_DIR), so a volume made by an older image
# does not hide them. tests/test_voices_install.py runs this step against a loopback catalogue.
RUN if [ -n "$LYSSNA_PIPER_VOICES" ]; then \
        lyssna voices install --quiet $(echo "$LYSSNA_PIPER_VOICES" | tr ',' ' '); \
    fi
VOLUME ["/var/lib/lyssna/audio_cache"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Set LYSSNA_SITES to the origins whose pages may be read, e.g. https://www.kommun.se
CMD ["lyssna", "serve"]
