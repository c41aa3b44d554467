"""The HTTP side: WhatsApp webhooks (venom-bot, Cloud API), stats, health, inspection."""
