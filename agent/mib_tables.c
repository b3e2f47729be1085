/* cmsHaAliasTable and cmsHaComponentTable: rows in config order, from 1. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_getters.h"
#include "mib_table.h"
#include "mib_values.h"

#include <string.h>

enum { ALIAS_COL_ADDRESS_TYPE = 2, ALIAS_COL_ADDRESS_TEXT = 8 };
enum { COMPONENT_COL_NAME = 2, COMPONENT_COL_LAST_CHANGE = 5 };

static const struct cmsha_alias_conf *alias_conf(unsigned long index)
{
	return &cmshad.cfg.aliases[index - 1];
}

static void get_alias_address_type(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, mib_inet_address_type(&alias_conf(index)->addr));
}

void mib_get_alias_address(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_inet_address(var, &alias_conf(index)->addr);
}

static void get_alias_prefix_length(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, alias_conf(index)->prefix);
}

void mib_get_alias_if_name(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_string(var, alias_conf(index)->ifname);
}

void mib_get_alias_state(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.ha.aliases[index - 1].state);
}

static void get_alias_last_change(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &cmshad.ha.aliases[index - 1].last_change);
}

static void get_alias_address_text(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_inet_text(var, &alias_conf(index)->addr);
}

void mib_get_component_name(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad.cfg.components[index - 1].name);
}

/* required(1) or notRequired(2) */
void mib_get_component_requirement(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.cfg.components[index - 1].required ? 1 : 2);
}

void mib_get_component_state(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.ha.components[index - 1].state);
}

static void get_component_last_change(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &cmshad.ha.components[index - 1].last_change);
}

/* In column order, from cmsHaAliasAddressType (2) to cmsHaAliasAddressText (8). */
static mib_column_get *const alias_columns[] = {
	get_alias_address_type, mib_get_alias_address, get_alias_prefix_length,
	mib_get_alias_if_name, mib_get_alias_state, get_alias_last_change, get_alias_address_text,
};
/* From cmsHaComponentName (2) to cmsHaComponentLastChange (5). */
static mib_column_get *const component_columns[] = {
	mib_get_component_name, mib_get_component_requirement, mib_get_component_state,
	get_component_last_change,
};

static const struct mib_table_def alias_table = {
	MIB_ALIAS_TABLE, ALIAS_COL_ADDRESS_TYPE, ALIAS_COL_ADDRESS_TEXT, NULL, alias_columns
};
static const struct mib_table_def component_table = {
	MIB_COMPONENT_TABLE, COMPONENT_COL_NAME, COMPONENT_COL_LAST_CHANGE, NULL, component_columns
};

/* Rows follow the config, read before this runs and again by a reload. */
void cmshad_mib_register_tables(void)
{
	cmshad.mib.aliases = mib_table_register(&alias_table, 1);
	cmshad.mib.components = mib_table_register(&component_table, 1);
	cmshad_mib_tables_sync();
}

/* Rows 1..n in the config's order. */
void cmshad_mib_tables_sync(void)
{
	mib_table_sync_range(cmshad.mib.aliases, 1, (uint32_t)cmshad.cfg.n_aliases + 1);
	mib_table_sync_range(cmshad.mib.components, 1, (uint32_t)cmshad.cfg.n_components + 1);
	DEBUGMSGTL(("cmsha:mib", "cmsHaAliasTable rows 1..%zu, cmsHaComponentTable rows 1..%zu\n",
		    cmshad.cfg.n_aliases, cmshad.cfg.n_components));
}
