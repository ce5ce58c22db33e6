// The movement form shows only the fields the chosen kind needs; without JavaScript all of them stay visible.
(() => {
  const form = document.getElementById("movement-form");
  if (!form) return;
  const needs = {
    arrival: ["to_class"],
    transfer: ["to_class"],
    group_transfer: ["from_group", "to_group"],
    departure: [],
  };
  const optional = ["to_class", "from_group", "to_group"];
  const update = () => {
    const chosen = form.querySelector("input[name=kind]:checked");
    const wanted = chosen ? needs[chosen.value] || [] : optional;
    for (const name of optional) {
      const field = form.querySelector(`[name=${name}]`);
      const row = field && field.closest(".row");
      if (row) row.hidden = !wanted.includes(name);
    }
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") update();
  });
  update();
})();
