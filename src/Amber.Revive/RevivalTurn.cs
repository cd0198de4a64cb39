namespace Amber.Revive;

/// <summary>One exchange of a revival: the user node, the answer node and its text.</summary>
public sealed record RevivalTurn(string UserNode, string AnswerNode, string Answer, string ModelId, bool Substitute);
