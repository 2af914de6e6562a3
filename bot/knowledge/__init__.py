"""The knowledge provider: documents in, cited passages out (LangChain loaders and splitters, Chroma)."""
