"""kback.models: Sequential, Model and saving/loading."""
from .engine.training import Model  # noqa: F401
from .engine.sequential import Sequential  # noqa: F401
from .engine.saving import (save_model, load_model, model_from_config,  # noqa: F401
                            model_from_json, model_from_yaml)
from .engine.cloning import clone_model  # noqa: F401,E402
