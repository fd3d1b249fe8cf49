"""Push devices: the ADMS receiver, the ISAPI event listener, their device registry and the
command queue (``push.db``). The HTTP routes are in :mod:`gateway.api.routes.push`."""
