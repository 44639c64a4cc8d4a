/* ntk_policy: implementation pending (see ntk_policy.h). */
