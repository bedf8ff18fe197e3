// The built-in hints: known Veeam replica and CDP failure texts, what they mean and what to check next. One table,
// reviewed like code. An entry is here only if its sample is quoted verbatim on a Veeam-owned page (the KB or the
// Help Center) that was read, and that page is its source; entries still missing such a sample are listed in
// docs/alerts.md as candidates. Rules are plain-text patterns (hints/pattern.ts); test/hints checks every entry
// against its sample.

export interface HintSource {
  url: string;
  title: string;
}

export interface HintEntry {
  /** Stable id, kebab-case: named in the events channel's `hints`. */
  id: string;
  /** Plain-text pattern on a VM's Reason or a session's FailureMessage (hints/pattern.ts). */
  match: string;
  /** The cause in plain words, one line. */
  cause: string;
  /** One to three specific next steps. */
  steps: readonly string[];
  source: HintSource;
  /** The message as the source quotes it, verbatim. */
  sample: string;
  /** Ids of entries whose rule also matches texts this one matches: this one is shown first. */
  moreSpecificThan?: readonly string[];
}

const KB1377: HintSource = {
  url: 'https://www.veeam.com/kb1377?ad=in-text-link',
  title: 'VSS Freeze Wait Timeout',
};
const KB1680: HintSource = {
  url: 'https://www.veeam.com/de/kb1680?ck=1647690803751',
  title: 'VSS Timeouts in Exchange',
};
const KB2101: HintSource = {
  url: 'https://www.veeam.com/kb2101?ad=in-text-link',
  title: 'Veeam Cloud Service Provider Per-VM Licensing Exceeded',
};
const LICENSE_EVENTS: HintSource = {
  url: 'https://helpcenter.veeam.com/archive/backup/110/vsphere/vbr_events_license.html',
  title: 'License',
};

export const CATALOGUE: readonly HintEntry[] = [
  {
    id: 'vss-prepare-timeout',
    match: 'failed to prepare guest for freeze',
    cause:
      "Preparing the guest's VSS writers took longer than Veeam's preparation timeout (slow guest or a writer with very many files).",
    steps: [
      'Rule out security software in the guest: uninstall the anti-virus temporarily (not just disable it), reboot and rerun.',
      'Improve the performance inside the guest (CPU, disk latency).',
      "The preparation timeout is Veeam's own and can be raised: see the KB.",
    ],
    source: KB1377,
    sample: 'VSSControl: Failed to prepare guest for freeze, wait timeout 900 sec.',
  },
  {
    id: 'vss-freeze-timeout',
    match: 'failed to freeze guest.*wait timeout',
    cause:
      "Freeze, snapshot creation and thaw did not fit Microsoft's fixed VSS freeze limit (60 s, 20 s for Exchange).",
    steps: [
      'Check the vCenter load and its latency to the ESXi host: the VM snapshot must be created almost at once.',
      'Give the guest a network path for guest processing (the networkless VIX fallback adds delay).',
      'Improve the performance inside the guest and rule out anti-virus; for Exchange consider persistent VSS snapshots.',
    ],
    source: KB1377,
    sample: 'VSSControl: Failed to freeze guest, wait timeout',
  },
  {
    id: 'vss-keepsnapshot-timeout',
    match: 'vss.keepsnapshot|vss.finishsnapshot',
    cause:
      'The guest closed the VSS snapshot: the keep-alive from the backup server did not arrive within the snapshot timeout (1200 s by default).',
    steps: [
      'Confirm "Snapshot timeout occurred" in the VeeamVssSupport log inside the guest.',
      'Look for network drops between the backup server (or guest interaction proxy) and the guest, and for slow guest I/O or storage.',
      'If it persists, raise VSSGuestSnapshotTimeout in the registry of the backup server.',
    ],
    source: { url: 'https://veeam.com/kb2825', title: "Failed to call RPC function 'Vss.FinishSnapshot'" },
    sample:
      "Failed to call RPC function 'Vss.FinishSnapshot': Error code: 0x800401fd. Failed to invoke func [FinishSnapshot]\nFailed to call RPC function 'Vss.KeepSnapshot': Error code: 0x800401fd. Failed to invoke func [KeepSnapshot]",
  },
  {
    id: 'vss-critical-writer-failed',
    match: 'vss critical writer has failed',
    cause:
      'A VSS writer in the guest (named in the message) failed during the freeze, typically by timing out.',
    steps: [
      'In the guest, run "vssadmin list writers" to see the failed writer and its state.',
      'Check the path guest processing uses (VIX over TCP 443/902, or the admin share): the freeze countdown runs while it is in use.',
      'For Exchange the freeze may last only 20 s: consider persistent VSS snapshots.',
    ],
    source: KB1680,
    sample:
      "A VSS critical writer has failed. Writer name: [Microsoft Exchange Writer]. Class ID: [{76fe1ac4-15f7-4bcd-987e-8e1acb462fb7}]. Instance ID: [{0db23250-4d1e-42c1-8d14-2be32f448184}]. Writer's state: [VSS_WS_FAILED_AT_FREEZE]. Error code: [0x800423f2].]",
    moreSpecificThan: ['vss-cannot-create-shadow-copy'],
  },
  {
    id: 'vss-cannot-create-shadow-copy',
    match: 'cannot create shadow copy of the volumes',
    cause: 'VSS could not create the shadow copy in the guest because a writer failed.',
    steps: [
      'In the guest, run "vssadmin list writers" to find the failed writer.',
      'Fix or restart that writer (or its service), then rerun the job.',
    ],
    source: KB1680,
    sample:
      'Unfreeze error:[Backup job failed]\nCannot create  shadow copy of the volumes containing writer’s data',
  },
  {
    id: 'license-exceeded',
    match: 'not enough licenses|your license has been exceeded',
    cause: 'The installed license does not cover every workload the job processes.',
    steps: [
      'Open License Information and see which objects consume licenses; revoke those that no longer need one.',
      'After a host rebuild (sockets) or a changed VM reference (instances), revoke the duplicate entry and rerun.',
      'Perpetual and per-socket licenses have no grace period: the first extra workload fails.',
    ],
    source: {
      url: 'http://www.veeam.com/KB1470',
      title: 'Unable to process the workload: your license has been exceeded',
    },
    sample:
      'Error: Not enough licenses.\nError: Unable to process the workload: your license has been exceeded',
  },
  {
    id: 'license-instance-limit-exceeded',
    match: 'exceeded your licensed limit of',
    cause: 'More instances are protected than the license covers (grace period).',
    steps: [
      'Deploy a license for at least the number of instances the message names.',
      'Until then, reduce the protected workloads: beyond the grace, workloads over the limit are not processed.',
    ],
    source: {
      url: 'https://helpcenter.veeam.com/docs/backup/events/event_24070.html',
      title: 'License Limit Exceeded',
    },
    sample:
      'You have exceeded your licensed limit of <N> instances by <N> and are no longer compliant with your Veeam licensing agreement. To avoid service interruptions from future growth, we recommend you deploy a license for at least <N> instances',
  },
  {
    id: 'license-expired',
    match: 'license key for.*has expired',
    cause: 'The installed license (or evaluation) has expired.',
    steps: ['Install a renewed license key on the backup server, then rerun the job.'],
    source: LICENSE_EVENTS,
    sample: '<License type> License key for Veeam Backup & Replication <Edition> has expired.',
  },
  {
    id: 'license-expiring',
    match: 'license key for.*is about to expire in',
    cause: 'The installed (or evaluation) license expires soon; jobs fail once it has expired.',
    steps: ['Install a renewed license key before the date the message names.'],
    source: LICENSE_EVENTS,
    sample:
      '<License type> License key for Veeam Backup & Replication <Edition> is about to expire in <Number of days> Days.\n<License type> Evaluation license key for Veeam Backup & Replication <Edition> is about to expire in <Number of days> Days.',
  },
  {
    id: 'cloud-provider-vm-limit',
    match:
      'service provider has reached licensed vm limit|service provider has exceeded the licensed vm count',
    cause: "The Cloud Connect provider's license (per active VM) is over its limit past the grace period.",
    steps: [
      'Tenant: contact the service provider.',
      'Provider: install a license with more VMs, or disable or delete tenants to reduce the protected VMs.',
    ],
    source: KB2101,
    sample: 'Error: Cannot backup this VM because your service provider has reached licensed VM limit.',
  },
  {
    id: 'cloud-provider-license-grace',
    match:
      'licensed cloud connect backup vm count has been exceeded|please reflect the increase in your next usage report',
    cause:
      'More active tenant VMs than the Cloud Connect license covers; the license is in its grace period.',
    steps: [
      'Install a license file with a larger number of VMs.',
      'Or reduce the protected VMs by disabling or deleting tenants.',
      'Rental licenses: report the increase in the next usage report.',
    ],
    source: KB2101,
    sample:
      'Licensed Cloud Connect Backup VM count has been exceeded. We will stop accepting data for all VMs above the licensed quota at <date>. To ensure uninterrupted service, please acquire and install a license file with a larger number of VMs, or decrease the number of protected VMs by disabling or deleting some tenants.\nYour license limit has been exceeded by 32 VMs, please reflect the increase in your next usage report.',
  },
  {
    id: 'cloud-provider-license-post-grace',
    match:
      'license limit has been exceeded by.*for more than|vms exceeding the licensed amount will no longer be processed',
    cause:
      'The Cloud Connect license has been over its limit past the grace period: VMs above it are no longer processed.',
    steps: [
      'Purchase and install a license for more VMs.',
      'Or disable or delete tenants to bring the active VMs under the limit.',
      'Tenants: contact the service provider.',
    ],
    source: KB2101,
    sample:
      'Your license limit has been exceeded by 32 VMS for more than 60 days.\nAll VMs exceeding the licensed amount will no longer be processed. To\nmanage these VMs, please purchase more licenses.',
  },
  {
    id: 'advanced-transport-failover-nbd',
    match: 'cannot use advanced transport modes',
    cause:
      'HotAdd or Direct SAN failed (usually the TLS handshake with vCenter), so the job fell back to the slower NBD mode.',
    steps: [
      'Look for an SSL exception in the HotAdd attacher log on the proxy (C:\\ProgramData\\Veeam\\Backup\\<job>\\Agent.<job>.<vm>.Hotadd.Attacher.log).',
      'If vCenter uses a self-signed certificate chain, install all of its certificates on every proxy.',
    ],
    source: {
      url: 'https://www.veeam.com/kb3204',
      title: 'Advanced transport modes (HotAdd and SAN) fail over to NBD mode',
    },
    sample: 'Cannot use advanced transport modes, failing over to NBD',
  },
  {
    id: 'vm-is-backup-proxy',
    match: 'vm is a backup proxy, waiting for it to stop processing tasks',
    cause: 'The replicated VM is itself a backup proxy the job uses: it waits until that proxy is idle.',
    steps: [
      'Do not replicate a proxy VM with a job that uses that proxy: exclude it, or give the job other proxies.',
    ],
    source: {
      url: 'https://helpcenter.veeam.com/docs/backup/vsphere/replica_limitations.html',
      title: 'Considerations and Limitations',
    },
    sample: 'VM is a backup proxy, waiting for it to stop processing tasks.',
  },
];
