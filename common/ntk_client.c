/* ntk_client: implementation pending (see ntk_client.h). */
