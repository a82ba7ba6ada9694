"""The main window, its menus and the controllers behind them (files, future states, presentation)."""
