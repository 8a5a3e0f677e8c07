-- A real editor session against `wscfg server`: Neovim's built-in LSP client (0.7 or newer)
-- opens a broken nginx.conf, waits for the diagnostics, applies the NGX001 quick fix and
-- then "fix all", and waits until the diagnostics are gone. Every wait is bounded; any
-- failure prints `FAIL: …` and exits non-zero. Run by tests/neovim_lsp.sh.
--
-- Environment: WSCFG_BIN (the wscfg binary), WSCFG_ROOT (workspace folder), WSCFG_FILE.

local bin = os.getenv('WSCFG_BIN')
local root = os.getenv('WSCFG_ROOT')
local file = os.getenv('WSCFG_FILE')
local WAIT_MS = 20000

local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local function fail(msg)
  error(msg, 0)
end

local function diags(bufnr)
  local list = vim.diagnostic.get(bufnr)
  table.sort(list, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    return tostring(a.code) < tostring(b.code)
  end)
  return list
end

local function has_code(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code then return true end
  end
  return false
end

local function print_diags(bufnr, label)
  local list = diags(bufnr)
  out(string.format('%s: %d diagnostic(s)', label, #list))
  for _, d in ipairs(list) do
    local first = vim.split(d.message, '\n', true)[1]
    out(string.format('DIAG %d:%d-%d:%d %s %s %s', d.lnum + 1, d.col + 1, d.end_lnum + 1,
      d.end_col + 1, tostring(d.code), vim.diagnostic.severity[d.severity], first))
  end
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'wscfg',
    cmd = { bin, 'server' },
    root_dir = root,
  })
  if not client_id then return fail('could not start the language server') end
  vim.lsp.buf_attach_client(bufnr, client_id)

  if not vim.wait(WAIT_MS, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
    return fail('no diagnostics within ' .. WAIT_MS .. ' ms')
  end
  print_diags(bufnr, 'opened')
  local client = vim.lsp.get_client_by_id(client_id)
  local encoding = client.offset_encoding or 'utf-16'
  out('encoding ' .. encoding)

  -- The quick fix for NGX001, asked for at its diagnostic.
  local target
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'NGX001' then target = d end
  end
  if not target then return fail('no NGX001 diagnostic') end
  local uri = vim.uri_from_bufnr(bufnr)
  local range = {
    start = { line = target.lnum, character = target.col },
    ['end'] = { line = target.end_lnum, character = target.end_col },
  }
  -- Hover on the diagnostic shows the rule page.
  local hv = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = range.start,
  }, WAIT_MS)
  local hover = hv and hv[client_id] and hv[client_id].result
  if not (hover and hover.contents and hover.contents.value) then return fail('no hover') end
  out('HOVER ' .. vim.split(hover.contents.value, '\n', true)[1])

  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = range,
    context = { diagnostics = {} },
  }, WAIT_MS)
  local actions = (res and res[client_id] and res[client_id].result) or {}
  local quick
  for _, a in ipairs(actions) do
    out(string.format('ACTION %s %s%s', a.kind, a.title, a.isPreferred and ' (preferred)' or ''))
    if a.kind == 'quickfix' and a.diagnostics and a.diagnostics[1].code == 'NGX001' then quick = a end
  end
  if not quick then return fail('no quick fix for NGX001') end
  vim.lsp.util.apply_workspace_edit(quick.edit, encoding)
  if not vim.wait(WAIT_MS, function() return not has_code(bufnr, 'NGX001') end, 50) then
    return fail('NGX001 still reported after applying its fix')
  end
  print_diags(bufnr, 'after quick fix')

  -- Fix all safe problems in the file.
  res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
    context = { diagnostics = {}, only = { 'source.fixAll' } },
  }, WAIT_MS)
  local all
  for _, a in ipairs((res and res[client_id] and res[client_id].result) or {}) do
    if a.kind == 'source.fixAll.wscfg' then all = a end
  end
  if not all then return fail('no source.fixAll.wscfg action') end
  if not all.edit then
    -- Neovim announces resolveSupport for `edit`, so the server leaves the edit to
    -- codeAction/resolve (as Neovim's own code action menu does it).
    local r = vim.lsp.buf_request_sync(bufnr, 'codeAction/resolve', all, WAIT_MS)
    all = r and r[client_id] and r[client_id].result
    if not (all and all.edit) then return fail('codeAction/resolve gave no edit') end
    out('resolved fix all')
  end
  vim.lsp.util.apply_workspace_edit(all.edit, encoding)
  if not vim.wait(WAIT_MS, function() return #vim.diagnostic.get(bufnr) == 0 end, 50) then
    print_diags(bufnr, 'still')
    return fail('diagnostics remain after fix all')
  end
  print_diags(bufnr, 'after fix all')
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    out('TEXT ' .. line)
  end
  vim.cmd('write')
  out('OK')
end)

if ok then
  vim.cmd('qa!')
else
  out('FAIL: ' .. tostring(err))
  vim.cmd('cquit 1')
end
