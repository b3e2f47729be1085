/* cmsHaAliasTable and cmsHaComponentTable: rows in config order, from 1. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_getters.h"
#include "mib_table.h"
#include "mib_values.h"

#include <string.h>

enum { ALIAS_COL_ADDRESS_TYPE = 2, ALIAS_COL_ADDRESS, ALIAS_COL_PREFIX_LENGTH,
       ALIAS_COL_IF_NAME, ALIAS_COL_STATE, ALIAS_COL_LAST_CHANGE,
       ALIAS_COL_ADDRESS_TEXT };

enum { COMPONENT_COL_NAME = 2, COMPONENT_COL_REQUIREMENT, COMPONENT_COL_STATE,
       COMPONENT_COL_LAST_CHANGE };

void mib_get_alias_address(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_inet_address(var, &cmshad.cfg.aliases[index - 1].addr);
}

void mib_get_alias_if_name(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad.cfg.aliases[index - 1].ifname);
}

void mib_get_alias_state(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.ha.aliases[index - 1].state);
}

static void get_alias(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	const struct cmsha_alias_conf *conf = &cmshad.cfg.aliases[index - 1];
	const struct cmsha_alias_runtime *rt = &cmshad.ha.aliases[index - 1];

	switch (column) {
	case ALIAS_COL_ADDRESS_TYPE:
		mib_set_integer(var, mib_inet_address_type(&conf->addr));
		break;
	case ALIAS_COL_ADDRESS:
		mib_get_alias_address(index, var);
		break;
	case ALIAS_COL_PREFIX_LENGTH:
		mib_set_unsigned(var, ASN_UNSIGNED, conf->prefix);
		break;
	case ALIAS_COL_IF_NAME:
		mib_get_alias_if_name(index, var);
		break;
	case ALIAS_COL_STATE:
		mib_get_alias_state(index, var);
		break;
	case ALIAS_COL_LAST_CHANGE:
		mib_set_date_and_time(var, &rt->last_change);
		break;
	case ALIAS_COL_ADDRESS_TEXT:
		mib_set_inet_text(var, &conf->addr);
		break;
	}
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

static void get_component(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	switch (column) {
	case COMPONENT_COL_NAME:
		mib_get_component_name(index, var);
		break;
	case COMPONENT_COL_REQUIREMENT:
		mib_get_component_requirement(index, var);
		break;
	case COMPONENT_COL_STATE:
		mib_get_component_state(index, var);
		break;
	case COMPONENT_COL_LAST_CHANGE:
		mib_set_date_and_time(var, &cmshad.ha.components[index - 1].last_change);
		break;
	}
}

static const struct mib_table_def alias_table = {
	MIB_ALIAS_TABLE, ALIAS_COL_ADDRESS_TYPE, ALIAS_COL_ADDRESS_TEXT, get_alias
};
static const struct mib_table_def component_table = {
	MIB_COMPONENT_TABLE, COMPONENT_COL_NAME, COMPONENT_COL_LAST_CHANGE, get_component
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
}
