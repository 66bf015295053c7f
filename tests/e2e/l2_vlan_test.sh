#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# VLANs: access ports in VLAN 10 and 20, a trunk allowing 10,20 and a trunk allowing 10,20
# with native VLAN 10. Frames are tagged and untagged on the way out as each port's mode
# says, never cross VLANs, and MACs are learned per VLAN. Checked frame by frame.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ethtool
dp_start

vsw_quiet bridge add br0
vport_add a10
vport_add a20
vport_add tr
vport_add trn
vsw_quiet port attach a10 br0 vlan=10
vsw_quiet port attach a20 br0 vlan=20
vsw_quiet port attach tr br0 trunk=10,20
vsw_quiet port attach trn br0 trunk=10,20 native=10
vsw port show

mode=$(vsw -j port show trn | jget "r[0]['vlan_mode'] + ' ' + str(r[0]['native'])")
[[ $mode == "trunk 10" ]] || fail "port show trn says '$mode', expected 'trunk 10'"

M1=02:00:00:00:01:01
M2=02:00:00:00:02:02
M3=02:00:00:00:03:03
M4=02:00:00:00:04:04

log "1: untagged broadcast from access VLAN 10: tr gets it tagged 10, trn untagged (native)"
send a10 "src=$M1,id=v10-from-access"
expect_tx a10=0 a20=0 tr=1 trn=1
expect_frames tr "src=$M1,id=v10-from-access,vlan=10"
expect_frames trn "src=$M1,id=v10-from-access"

log "2: tagged 20 from the trunk: a20 gets it untagged, trn tagged 20, a10 nothing"
send tr "src=$M2,id=v20-from-trunk,vlan=20"
expect_tx a10=0 a20=1 tr=1 trn=2
expect_frames a20 "src=$M2,id=v20-from-trunk"
expect_frames trn "src=$M2,id=v20-from-trunk,vlan=20"

log "3: tagged 30 on the trunk is dropped as vlan_not_allowed"
send tr "src=$M2,id=v30,vlan=30"
expect_tx a10=0 a20=1 tr=1 trn=2
expect_drop tr vlan_not_allowed 1

log "4: untagged on a trunk without native VLAN is dropped as untagged_on_trunk"
send tr "src=$M2,id=untagged-on-trunk"
expect_tx a10=0 a20=1 tr=1 trn=2
expect_drop tr untagged_on_trunk 1

log "5: untagged on the trunk with native 10 belongs to VLAN 10"
send trn "src=$M3,id=native-untagged"
expect_tx a10=1 a20=1 tr=2 trn=2
expect_frames a10 "src=$M3,id=native-untagged"
expect_frames tr "src=$M3,id=native-untagged,vlan=10"

log "6: tagged 10 on the native-10 trunk is VLAN 10 as well"
send trn "src=$M3,id=native-tagged,vlan=10"
expect_tx a10=2 a20=1 tr=3 trn=2
expect_frames a10 "src=$M3,id=native-tagged"
expect_frames tr "src=$M3,id=native-tagged,vlan=10"

log "7: a frame tagged 20 on the VLAN 10 access port is dropped as vlan_not_allowed"
send a10 "src=$M1,id=tag20-on-access10,vlan=20"
expect_tx a10=2 a20=1 tr=3 trn=2
expect_drop a10 vlan_not_allowed 1

log "8: learning is per VLAN: M2 is known in VLAN 20 (on tr) but not in VLAN 10"
send a20 "src=$M4,dst=$M2,id=to-m2-in-v20"
expect_tx a10=2 a20=1 tr=4 trn=2
expect_frames tr "src=$M4,dst=$M2,id=to-m2-in-v20,vlan=20"
send a10 "src=$M1,dst=$M2,id=to-m2-in-v10"
expect_tx a10=2 a20=1 tr=5 trn=3
expect_frames tr "src=$M1,dst=$M2,id=to-m2-in-v10,vlan=10"
expect_frames trn "src=$M1,dst=$M2,id=to-m2-in-v10"

log "9: answer from the trunk in VLAN 10 to M1 goes to a10 only, untagged"
send tr "src=$M2,dst=$M1,id=reply-v10,vlan=10"
expect_tx a10=3 a20=1 tr=5 trn=3
expect_frames a10 "src=$M2,dst=$M1,id=reply-v10"

vsw fdb show br0
fdb=$(vsw -j fdb show br0 | jget "' '.join('%s/%d/%s' % (e['mac'], e['vlan'], e['port']) for e in r)")
for want in "$M1/10/a10" "$M2/10/tr" "$M2/20/tr" "$M3/10/trn" "$M4/20/a20"; do
	[[ " $fdb " == *" $want "* ]] || fail "fdb lacks $want: $fdb"
done
n=$(vsw -j fdb show br0 vlan=20 | jget 'len(r)')
[[ $n == 2 ]] || fail "fdb show vlan=20 gave $n entries, expected 2 ($M2, $M4)"

dp_stop
check_frames a10 a20 tr trn
