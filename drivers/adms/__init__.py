"""ZKTeco PUSH protocol ("ADMS", ``/iclock/...``): the device is the HTTP client.

``codec`` reads upload bodies and writes the server's answers, ``protocol`` classifies a
request (sans-IO), ``commands`` builds the ``C:<id>:`` command lines, ``simulator`` is a
device that posts as firmware does, ``driver`` the plug-in for devices.yaml.
"""
