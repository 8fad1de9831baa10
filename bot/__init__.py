"""A Telegram bot that answers casualty-figure questions with every figure's source and caveats."""
