/* ntk_buf: implementation pending (see ntk_buf.h). */
