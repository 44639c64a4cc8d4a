/* ntk_assignment: implementation pending (see ntk_assignment.h). */
