"""Imported by commands that call the pages' cached helpers without a Streamlit runtime, on purpose (the bench):
Streamlit's "No runtime found" warning says nothing to the person running them. Import it before entities.ui."""
import logging

import streamlit.runtime.caching.cache_data_api as cache_data

logging.getLogger(cache_data.__name__).setLevel(logging.ERROR)
