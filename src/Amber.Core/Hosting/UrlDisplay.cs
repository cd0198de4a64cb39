using System.Text.RegularExpressions;

namespace Amber.Core.Hosting;

/// <summary>URLs as Amber prints them: credentials written into them (<c>user:password@</c>) are masked as <c>***@</c>.</summary>
public static partial class UrlDisplay
{
    public static string Mask(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return Mask(uri.OriginalString);
    }

    /// <summary>Masks the user-info of anything that looks like a URL, parseable or not (error messages echo what the user typed).</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UserInfo().Replace(text, "//***@");
    }

    [GeneratedRegex(@"//[^/?#@\s]*@")]
    private static partial Regex UserInfo();
}
