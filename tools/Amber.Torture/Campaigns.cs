namespace Amber.Torture;

/// <summary>Every campaign by its sub-command name.</summary>
public static class Campaigns
{
    public static IReadOnlyDictionary<string, (string Description, Func<CampaignSettings, Tally> Run)> All { get; } =
        new Dictionary<string, (string, Func<CampaignSettings, Tally>)>(StringComparer.Ordinal)
        {
            ["kill-import"] = ("SIGKILL `amber import` of a large file and of many small files at random moments", KillCampaigns.Import),
            ["kill-annotate"] = ("SIGKILL `amber mark` (annotation writes through the log) at random moments", KillCampaigns.Annotate),
            ["kill-rebuild"] = ("SIGKILL `amber index rebuild` at random moments", KillCampaigns.Rebuild),
            ["kill-recovery"] = ("SIGKILL an import, then SIGKILL the next process during its recovery", KillCampaigns.Recovery),
            ["kill-gateway"] = ("SIGKILL `amber proxy` under load from several clients (OpenAI and Anthropic, streamed and not, --ack durable and async)", ServerKillCampaigns.Gateway),
            ["kill-local"] = ("SIGKILL `amber serve --local-model … --freeze` under load from several clients (streamed and not)", ServerKillCampaigns.Local),
            ["kill-revive"] = ("SIGKILL `amber revive --model local:… --freeze` (three turns, each committed before it is printed) at random moments", ReviveKillCampaign.Run),
            ["full-disk"] = ("ENOSPC on a small tmpfs during import and index rebuild; then free space and resume", FullDiskCampaign.Run),
            ["full-disk-gateway"] = ("ENOSPC on a small tmpfs under the gateway's archive (--ack durable and async); then free space, restart and resume", GatewayFullDiskCampaign.Run),
            ["rot"] = ("Random bit flips, truncations and zeroed 4 KiB pages in every file kind; verify must detect and name them", RotCampaign.Run),
        };
}
