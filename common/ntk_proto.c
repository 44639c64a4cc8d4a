/* ntk_proto: implementation pending (see ntk_proto.h). */
