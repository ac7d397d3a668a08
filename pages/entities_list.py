"""Placeholder until its issue lands."""
import streamlit as st

st.title("entities_list")
