"""Sphinx configuration of kback's documentation (built by `.ci/docs`)."""
import os
import sys

# The docs document the source tree they sit in (kback_core built in place or installed).
sys.path.insert(0, os.path.abspath('..'))

from kback import __version__  # noqa: E402

project = 'kback'
author = 'the kback authors'
release = version = __version__

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.napoleon', 'sphinx.ext.viewcode',
              'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
exclude_patterns = ['_build']

# Docstrings are in Keras 2.3's style, read by napoleon's Google parser: "Arguments:",
# "Returns:", "Raises:", plus the layers' shape sections.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = ['Input shape', 'Output shape', 'Call arguments']
# `x` in a docstring is code, as in Keras's own docs.
default_role = 'code'
autodoc_member_order = 'bysource'
autodoc_typehints = 'none'
autodoc_default_options = {'members': True, 'show-inheritance': True}
# A subclass's method without its own docstring is not repeated on every layer's entry.
autodoc_inherit_docstrings = False

# README.md's headings become link targets, so its sections can be referred to.
myst_heading_anchors = 3

html_theme = 'alabaster'
html_theme_options = {'description': 'Keras 2 on multi-core CPUs', 'fixed_sidebar': True}
html_title = f'kback {version}'
