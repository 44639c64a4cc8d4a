/* ntk_config: implementation pending (see ntk_config.h). */
