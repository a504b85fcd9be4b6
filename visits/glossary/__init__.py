"""The acronyms joint reviews use, for every role: the terms and the `abbr` template filter that explains them
wherever they appear (terms.py), and the glossary page (views.py)."""
