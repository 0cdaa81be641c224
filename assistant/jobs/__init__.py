"""The jobs (answer, brief, e-mail draft, rewrite, agent): each a composition of the steps in
assistant/pipeline.py; the rest of assistant/ is what they share."""
