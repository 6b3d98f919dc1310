"""The model: roles, policy documents and statements, with unresolved values kept as ``Unknown``."""
