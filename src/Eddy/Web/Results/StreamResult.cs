namespace Eddy.Web.Results;

/// <summary>A body the handler's callback writes piece by piece (<see cref="Result.Stream"/>): chunked unless it declares a length.</summary>
internal sealed class StreamResult(Func<Response, CancellationToken, Task> write, string contentType) : IResult
{
    public async ValueTask ExecuteAsync(Request request)
    {
        var response = request.Response;
        response.ContentType ??= contentType;
        await write(response, request.Aborted);
    }
}
