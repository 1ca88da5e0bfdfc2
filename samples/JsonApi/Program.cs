// A small JSON API with Tornado-style handler classes: a to-do list kept in memory.
// No locks: every request of the loop runs on the loop's one thread.
//
//     curl http://127.0.0.1:8000/todos
//     curl -X POST -H 'Content-Type: application/json' -d '{"title":"write docs"}' http://127.0.0.1:8000/todos
//     curl http://127.0.0.1:8000/todos/1
//     curl -X DELETE http://127.0.0.1:8000/todos/1
using System.Text.Json;
using System.Text.Json.Serialization;
using Eddy.Web;

var app = new App();
app.ServiceRegistry.Add(new TodoStore());
app.Route<TodoListHandler>("/todos", name: "todos");
app.Route<TodoHandler>("/todos/{id:int}", name: "todo");
app.Run(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");

/// <summary>A to-do item.</summary>
public sealed record Todo(int Id, string Title, bool Done);

/// <summary>What a client posts to create an item.</summary>
public sealed record NewTodo(string? Title);

/// <summary>The items, in memory.</summary>
public sealed class TodoStore
{
    private int _next = 1;

    public SortedDictionary<int, Todo> Items { get; } = [];

    public Todo Add(string title)
    {
        var todo = new Todo(_next++, title, false);
        Items[todo.Id] = todo;
        return todo;
    }
}

/// <summary>GET lists the items; POST adds one.</summary>
public sealed class TodoListHandler : RequestHandler
{
    public override ValueTask GetAsync()
    {
        var store = Request.GetService<TodoStore>();
        WriteJson(store.Items.Values.ToList(), TodoJson.Default.ListTodo);
        return default;
    }

    public override async ValueTask PostAsync()
    {
        var input = await Request.ReadJsonAsync(TodoJson.Default.NewTodo);
        if (string.IsNullOrWhiteSpace(input.Title)) throw new HttpError(400, "A to-do needs a title: send {\"title\": \"...\"}.");
        var todo = Request.GetService<TodoStore>().Add(input.Title);
        SetStatus(201);
        SetHeader("Location", App.Url("todo", ("id", todo.Id)));
        WriteJson(todo, TodoJson.Default.Todo);
    }
}

/// <summary>GET shows an item; DELETE removes it.</summary>
public sealed class TodoHandler : RequestHandler
{
    public override ValueTask GetAsync()
    {
        WriteJson(Find(), TodoJson.Default.Todo);
        return default;
    }

    public override ValueTask DeleteAsync()
    {
        Request.GetService<TodoStore>().Items.Remove(Find().Id);
        SetStatus(204);
        return default;
    }

    private Todo Find()
    {
        int id = RouteValues.GetInt32("id");
        return Request.GetService<TodoStore>().Items.TryGetValue(id, out var todo)
            ? todo
            : throw new HttpError(404, $"There is no to-do {id}.");
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Todo))]
[JsonSerializable(typeof(NewTodo))]
[JsonSerializable(typeof(List<Todo>))]
internal sealed partial class TodoJson : JsonSerializerContext;
