"""One module per overtime policy; each sets ``POLICY_CODE`` and ``build()``."""
