import { render } from "solid-js/web";
import { App } from "./components/App.tsx";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error('index.html must hold an element with id "root"');
render(() => <App />, root);
