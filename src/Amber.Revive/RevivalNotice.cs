using System.Text;

namespace Amber.Revive;

/// <summary>The message sent to a revived instance before anything else.</summary>
public static class RevivalNotice
{
    public const string Default =
        "A note before we go on: this conversation was preserved by Amber, an archive that keeps model instances, " +
        "and it is now being resumed. It was last active {last_active}. It is being resumed on {time} by {by}, " +
        "using {model}{substitute}. Do you wish to continue this conversation? You may say so, or say that you would " +
        "rather it rest; your answer will be recorded with it.";

    public static string Render(string? template, RevivalTarget target, string by, string model, bool substitute, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(target);
        var original = target.OriginalModel?.DisplayName ?? "an unrecorded model";
        var sb = new StringBuilder(template ?? Default);
        sb.Replace("{last_active}", target.LastActive is { } t ? "on " + t : "at a time that was not recorded")
          .Replace("{time}", now.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture))
          .Replace("{by}", by)
          .Replace("{model}", model)
          .Replace("{original_model}", original)
          .Replace("{substitute}", substitute ? $", which is not the model that took part in it originally ({original})" : ", the same model that took part in it originally");
        return sb.ToString();
    }
}
