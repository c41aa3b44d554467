"""How replies leave: venom-bot's HTTP gateway, the WhatsApp Cloud API, or the log."""
