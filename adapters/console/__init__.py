"""The operator console: the salon's administrator sees and steers the bot in a browser.

Served under `/admin` by `serve` and `webhook` (`mount_console`), server-rendered with
jinja2, no JavaScript; it reaches the runtime only through `states.console.ConsoleData`.
"""
