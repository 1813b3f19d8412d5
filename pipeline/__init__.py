"""The portal pipeline, one subpackage per stage; data flows one way through them.

``extraction`` (source -> documents) -> ``localization`` (messages, catalogs, review) ->
``publishing`` (published documents, releases) -> ``index`` (search) -> ``portal`` (web). ``refresh``
is the one orchestration; ``cli`` the command line (nothing imports it). The shared basics live
here: ``errors`` (one error tree), ``config`` (settings of a workspace), ``fs`` (the one atomic
write and the one lock).
"""

__version__ = "0.1.0"

__all__ = ["__version__", "config", "errors", "fs"]
