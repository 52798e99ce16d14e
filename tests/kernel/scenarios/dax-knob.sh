# The dax memmap_on_memory attribute (patch 4), against what cxlmem's plan
# says the kernel can do:
#  - it reads 0 on a new device, takes any kstrtobool spelling, rejects
#    anything else with EINVAL;
#  - where the plan says the blocks can host their memmap: 1 sticks, and
#    while kmem is bound any change fails with EBUSY (setting the same
#    value is accepted);
#  - where the plan says they cannot: setting 1 fails with EOPNOTSUPP,
#    setting 0 is accepted.
# Leaves dax0.0 bound to device_dax with the knob at 0.
. "$MHP_VM_LIB"
dev=dax0.0
knob=/sys/bus/dax/devices/$dev/memmap_on_memory
[ -e $knob ] || mhp_fail "$knob is missing: not a patched kernel"

# set_knob VALUE: prints the error text of a failed write, nothing on success
set_knob() { sh -c "echo '$1' >$knob" 2>&1 | sed 's/.*: //'; }
expect_knob_error() { # VALUE ERROR-TEXT WHY
	_e=$(set_knob "$1")
	case "$_e" in *"$2"*) ok "writing '$1': $2 ($3)" ;;
	*) mhp_fail "writing '$1' should fail with '$2' ($3), got '${_e:-success}'" ;;
	esac
}

mhp_expect_eq "knob of a new device" "$(cat $knob)" 0
expect_knob_error maybe "Invalid argument" "not a boolean"
mhp_expect_eq "knob after a rejected write" "$(cat $knob)" 0

mhp_cxlmem plan $dev >/tmp/plan.json
if jq -e .eligible_memmap_on_memory /tmp/plan.json >/dev/null; then
	for v in 1 y Y on true; do
		[ -z "$(set_knob $v)" ] || mhp_fail "writing '$v' failed: $(set_knob $v)"
		mhp_expect_eq "knob after writing '$v'" "$(cat $knob)" 1
		[ -z "$(set_knob 0)" ] || mhp_fail "writing 0 failed"
	done
	ok "1, y, Y, on and true all set the knob"
	[ -z "$(set_knob n)" ] || mhp_fail "writing 'n' failed"
	mhp_expect_eq "knob after writing 'n'" "$(cat $knob)" 0
	set_knob 1
	echo $dev >/sys/bus/dax/drivers/device_dax/unbind
	echo $dev >/sys/bus/dax/drivers/kmem/new_id
	mhp_expect_eq "driver" "$(driver $dev)" kmem
	expect_knob_error 0 "busy" "bound to kmem"
	[ -z "$(set_knob 1)" ] || mhp_fail "writing the current value while bound failed"
	mhp_expect_eq "knob while bound" "$(cat $knob)" 1
	echo $dev >/sys/bus/dax/drivers/kmem/unbind
	set_knob 0
	mhp_expect_eq "knob after unbind and clear" "$(cat $knob)" 0
	echo $dev >/sys/bus/dax/drivers/device_dax/bind
else
	mhp_log "the plan says: $(jq -c .reasons /tmp/plan.json)"
	expect_knob_error 1 "not supported" "the plan says the blocks cannot host their memmap"
	[ -z "$(set_knob 0)" ] || mhp_fail "writing 0 failed"
	mhp_expect_eq "knob" "$(cat $knob)" 0
fi
mhp_expect_eq "driver at the end" "$(driver $dev)" device_dax
