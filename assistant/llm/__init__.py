"""LLM backends behind LangChain chat models: local GGUF, OpenAI-compatible server, fake."""
