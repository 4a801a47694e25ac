"""UI helpers of the Streamlit viewer (``app.py``): text, styles, data access and page parts.

They only call jumeau's public engine API; the engine never imports them.
"""
