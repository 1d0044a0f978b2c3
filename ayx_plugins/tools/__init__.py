"""The Designer side: one thin PluginV2 per tool over the shared per-record engine."""
