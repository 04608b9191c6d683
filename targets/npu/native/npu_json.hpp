// A small strict JSON reader for device files: objects, arrays, numbers, strings, booleans, null.
// Depth is bounded, so a hostile file cannot exhaust the stack; errors carry the byte offset.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu {

struct JsonError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Json {
    enum Kind { NUL, BOOL, NUM, STR, ARR, OBJ } kind = NUL;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<Json> arr;
    std::vector<std::pair<std::string, Json>> obj;  // file order; duplicate keys rejected

    const Json* find(const std::string& k) const {
        for (auto& kv : obj) if (kv.first == k) return &kv.second;
        return nullptr;
    }

    static Json parse(const std::string& text) {
        size_t i = 0;
        Json v = value(text, i, 0);
        ws(text, i);
        if (i != text.size()) fail(text, i, "trailing characters");
        return v;
    }

private:
    static constexpr int MAX_DEPTH = 64;

    [[noreturn]] static void fail(const std::string&, size_t at, const std::string& what) {
        throw JsonError("JSON error at byte " + std::to_string(at) + ": " + what);
    }

    static void ws(const std::string& t, size_t& i) {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
    }

    static Json value(const std::string& t, size_t& i, int depth) {
        if (depth > MAX_DEPTH) fail(t, i, "nested deeper than " + std::to_string(MAX_DEPTH));
        ws(t, i);
        if (i >= t.size()) fail(t, i, "unexpected end");
        Json v;
        char c = t[i];
        if (c == '{') {
            v.kind = OBJ;
            i++;
            ws(t, i);
            if (i < t.size() && t[i] == '}') { i++; return v; }
            for (;;) {
                ws(t, i);
                if (i >= t.size() || t[i] != '"') fail(t, i, "expected a key");
                std::string k = string(t, i);
                for (auto& kv : v.obj) if (kv.first == k) fail(t, i, "duplicate key \"" + k + "\"");
                ws(t, i);
                if (i >= t.size() || t[i] != ':') fail(t, i, "expected ':'");
                i++;
                v.obj.emplace_back(k, value(t, i, depth + 1));
                ws(t, i);
                if (i < t.size() && t[i] == ',') { i++; continue; }
                if (i < t.size() && t[i] == '}') { i++; return v; }
                fail(t, i, "expected ',' or '}'");
            }
        }
        if (c == '[') {
            v.kind = ARR;
            i++;
            ws(t, i);
            if (i < t.size() && t[i] == ']') { i++; return v; }
            for (;;) {
                v.arr.push_back(value(t, i, depth + 1));
                ws(t, i);
                if (i < t.size() && t[i] == ',') { i++; continue; }
                if (i < t.size() && t[i] == ']') { i++; return v; }
                fail(t, i, "expected ',' or ']'");
            }
        }
        if (c == '"') { v.kind = STR; v.str = string(t, i); return v; }
        if (t.compare(i, 4, "true") == 0) { v.kind = BOOL; v.b = true; i += 4; return v; }
        if (t.compare(i, 5, "false") == 0) { v.kind = BOOL; i += 5; return v; }
        if (t.compare(i, 4, "null") == 0) { i += 4; return v; }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i;
            if (t[i] == '-') i++;
            while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == 'e' || t[i] == 'E' || t[i] == '+' || t[i] == '-')) i++;
            std::string s = t.substr(start, i - start);
            char* end = nullptr;
            v.num = std::strtod(s.c_str(), &end);
            if (end == nullptr || *end != 0 || s == "-") fail(t, start, "bad number '" + s + "'");
            v.kind = NUM;
            return v;
        }
        fail(t, i, std::string("unexpected character '") + c + "'");
    }

    static std::string string(const std::string& t, size_t& i) {
        i++;  // opening quote
        std::string out;
        while (i < t.size() && t[i] != '"') {
            char c = t[i++];
            if (static_cast<unsigned char>(c) < 0x20) fail(t, i, "control character in a string");
            if (c == '\\') {
                if (i >= t.size()) break;
                char e = t[i++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case 'r': out += '\r'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    default: fail(t, i, "unsupported escape");
                }
            } else {
                out += c;
            }
        }
        if (i >= t.size()) fail(t, i, "unterminated string");
        i++;
        return out;
    }
};

}  // namespace npu
