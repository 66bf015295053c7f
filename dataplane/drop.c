/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and explanations of the drop reasons, generated from the one list in drop.h. */
#include "drop.h"

const char *const vsw_drop_names[VSW_DROP_MAX] = {
#define VSW_DROP_NAME(name, help) #name,
	VSW_DROP_REASONS(VSW_DROP_NAME)
#undef VSW_DROP_NAME
};

const char *const vsw_drop_help[VSW_DROP_MAX] = {
#define VSW_DROP_HELP(name, help) help,
	VSW_DROP_REASONS(VSW_DROP_HELP)
#undef VSW_DROP_HELP
};
