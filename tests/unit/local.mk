# SPDX-License-Identifier: GPL-2.0-or-later
# cmocka unit tests: each links the same convenience library as the tool.
if HAVE_CMOCKA
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(PA_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_flags tests/unit/test_parse tests/unit/test_maps \
	tests/unit/test_fields
TESTS += tests/unit/test_flags tests/unit/test_parse tests/unit/test_maps \
	tests/unit/test_fields

tests_unit_test_flags_SOURCES = tests/unit/test_flags.c
tests_unit_test_flags_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_flags_LDADD = $(UNIT_LDADD)

tests_unit_test_parse_SOURCES = tests/unit/test_parse.c
tests_unit_test_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_parse_LDADD = $(UNIT_LDADD)

tests_unit_test_maps_SOURCES = tests/unit/test_maps.c
tests_unit_test_maps_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_maps_LDADD = $(UNIT_LDADD)

tests_unit_test_fields_SOURCES = tests/unit/test_fields.c
tests_unit_test_fields_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fields_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_fleet
TESTS += tests/unit/test_fleet
tests_unit_test_fleet_SOURCES = tests/unit/test_fleet.c
tests_unit_test_fleet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fleet_LDADD = $(UNIT_LDADD)

# every counter of the field table in every output
check_PROGRAMS += tests/unit/test_consumers
TESTS += tests/unit/test_consumers
tests_unit_test_consumers_SOURCES = tests/unit/test_consumers.c
tests_unit_test_consumers_CFLAGS = $(UNIT_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_consumers_LDADD = $(UNIT_LDADD)
endif
